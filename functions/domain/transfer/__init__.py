"""Tasks out of and into a workspace: export (JSON, CSV) and import (our JSON, Todoist CSV)."""
