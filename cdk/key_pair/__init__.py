"""The token key pair generator: a Lambda asset (handler.py), standard library only."""
