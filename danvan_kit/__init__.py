"""danvan-kit: forms, store and Excel outputs for the Directive 33/CT-TTg dân vận cycle."""
__version__ = "0.1.0"
