"""Pages of this app: thin views that parse, authorise, call one service or selector, render."""
