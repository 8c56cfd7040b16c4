"""`python cli.py ...` runs the same click group as the `ganlip` console script."""

from ganlip.cli import main

if __name__ == "__main__":
    main()
