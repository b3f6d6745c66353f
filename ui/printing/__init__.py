"""Printed documents: Code128 barcodes, and the receipt, notice and consent as PDF or printout.

Pure functions of plain data (no widgets), so they run in the background-task helper.
"""
