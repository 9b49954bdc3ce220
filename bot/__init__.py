"""Bot communautaire d'exemples numériques pour TPE/PME."""
