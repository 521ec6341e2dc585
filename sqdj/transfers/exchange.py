"""Exchange of transfer letters with other sqdj deployments as signed JSON packages (being built)."""
