"""The book: build, pages, site and PDF, launch notebooks, the instructor pages' commands."""
