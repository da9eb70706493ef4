"""Cases and public protection (P1): cases opened from a log or directly, people on them in roles, an officer
in charge and a supervisor, handovers the receiver acknowledges, and staff moves that wait for the handover."""
