"""Hub-and-spoke network: Transit Gateway, central interface endpoints and isolated spoke VPCs."""
