"""`python -m danvan_kit` is the `danvan` command."""
from .cli import main

main()
