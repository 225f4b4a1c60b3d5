"""Module 2: data lake foundations (the data domain accounts' lakes, Lake Formation, the Glue catalog)."""
