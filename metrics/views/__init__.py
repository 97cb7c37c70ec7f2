"""Pages of metrics: `catalogue` (the catalogue, a metric's page and the forms that change them)
and `imports` (uploading a measurement file and following its batch)."""
