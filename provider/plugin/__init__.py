"""`langsmith` as a real Pulumi provider plugin, for programs in any language (TypeScript, Go, YAML, ...).

A second frontend over the same resources: the dynamic providers' `DeploymentProvider` and
`ListenerProvider` do every check, request and wait; this package only translates how values arrive
and leave (`PropertyValue`, camelCase names, secrets, unknowns) and adds what a plugin can and the
dynamic host cannot: import, Cancel, `customTimeouts`, property-level diffs and invokes.
"""
