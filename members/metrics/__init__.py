"""Service metrics: what a business reports each month, by the portal's form
(forms.py, views.py), a CSV file (csv_import.py) or the API (members.api),
all written by one writer (reports.py); the KPI dashboard's reads (queries.py)."""
