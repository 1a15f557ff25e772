"""Edge layer: file formats (CZML, later KML, NetCDF, Parquet, the run store)."""
