"""``sim app``: a local web page over the workflows, for people who do not write YAML.

``controls`` says what a scenario lets the page change and checks a change with the
loader; ``runs`` runs the edited option against a reference; ``page`` is the page and its
server (Shiny for Python); ``serve`` serves it on 127.0.0.1 only.
"""
