"""The CLI runs `python <this directory> <engine address>`; the plugin lives in `pulumi_langsmith.plugin`."""

from pulumi_langsmith.plugin.server import main

main()
