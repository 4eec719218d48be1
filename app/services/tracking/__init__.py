"""After the handover: carrier events per carton, DELIVERED orders, exceptions, the export."""
