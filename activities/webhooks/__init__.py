"""Run webhooks: one small workflow per (run, webhook) whose retried activity POSTs the signed
notification, so a slow or failing endpoint never holds up the run that ended."""
