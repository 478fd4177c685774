"""Graph import check, run by the agent's own virtualenv interpreter during a build.

It loads each graph the way the Agent Server does (`langgraph_api.graph._graph_from_spec`: a file path
through `spec_from_file_location`, else a module import) so a graph that would not load at serve time
fails the build instead. Standard library only. Usage: python _validate.py GRAPHS_JSON
"""

import importlib
import importlib.util
import json
import sys
import traceback


def _load(graph_id: str, source: str) -> str:
    path_or_module, _, variable = source.rpartition(":")
    if not path_or_module:
        raise ValueError(f"graph {graph_id!r}: {source!r} has no ':variable' part")
    if "/" in path_or_module:
        modname = path_or_module.replace("/", "__").replace(".py", "").replace(" ", "_").lstrip(".")
        spec = importlib.util.spec_from_file_location(modname, path_or_module)
        if spec is None or spec.loader is None:
            raise FileNotFoundError(f"graph {graph_id!r}: no Python file at {path_or_module}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[modname] = module
        spec.loader.exec_module(module)
    else:
        module = importlib.import_module(path_or_module)
    if variable not in module.__dict__:
        raise AttributeError(f"graph {graph_id!r}: {path_or_module} defines no {variable!r}")
    return type(module.__dict__[variable]).__name__


def main() -> int:
    graphs = json.loads(sys.argv[1])
    for graph_id, value in graphs.items():
        source = value["path"] if isinstance(value, dict) else value
        try:
            kind = _load(graph_id, source)
        except BaseException:
            print(f"Failed to import graph {graph_id!r} from {source}", file=sys.stderr, flush=True)
            traceback.print_exc()
            return 1
        print(f"Imported graph {graph_id!r} from {source} ({kind})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
