"""What the server-rendered pages share: who is acting, and the one input path from a form to an action.

Apps' views import from here; nothing here imports an app (see ARCHITECTURE.md, "Layers")."""
