"""One construct per file; the stack in cdk/stack.py composes them."""
