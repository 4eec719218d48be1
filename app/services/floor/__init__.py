"""The floor as a whole: the scan journal every station writes, and the KPIs read from it."""
