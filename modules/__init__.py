"""Infrastructure building blocks, one construct per capability, grouped by the framework's modules.

Installed as ``mlplat.modules``. Every construct takes ``(scope, id, props)`` with a typed props model,
renders real AWS resources with secure defaults, and reads nothing but its props.
"""
