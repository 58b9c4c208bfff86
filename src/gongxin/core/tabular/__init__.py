"""Tabular files in and out: the one pipeline every import and export goes through.

- `reading`: open an uploaded CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) or XLSX file and
  stream its rows as text cells, whatever the file's name claims.
- `columns`: a column spec shared by an import, its template and its export.
- `importing`: map headers, parse rows, reject repeated keys, upsert in chunks, all in
  one transaction; errors as (row, column, value, reason).
- `writing`: stream rows to XLSX with formula-looking text kept as text.
"""
