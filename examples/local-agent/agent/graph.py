"""A tiny LangGraph graph with no LLM call: it shouts the message back and counts its words.

Used by `examples/local-agent` and by the local control plane's agent-runner tests, so it must
import and answer without network access or API keys.
"""

from __future__ import annotations

import os
from typing import TypedDict

from langgraph.graph import END, START, StateGraph


class State(TypedDict, total=False):
    message: str
    reply: str
    words: int


def shout(state: State) -> State:
    message = state.get("message", "")
    prefix = os.environ.get("REPLY_PREFIX", "")
    return {"reply": prefix + message.upper(), "words": len(message.split())}


builder = StateGraph(State)
builder.add_node("shout", shout)
builder.add_edge(START, "shout")
builder.add_edge("shout", END)
graph = builder.compile()
