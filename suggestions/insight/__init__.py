"""Read side: queues, search and look-ups (``queues``) and the hotline metrics (``metrics``)."""
