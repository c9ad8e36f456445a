"""Thin API views for radiology, one module per resource: orders and their status flow, DICOM
images, reports and addenda, and the procedure catalogue. The compatibility routes of the
product brief are in `hms.radiology.compat`."""
