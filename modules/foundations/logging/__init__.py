"""Central logging and security services: log archive, organization trail, Config recorders, detective controls."""
