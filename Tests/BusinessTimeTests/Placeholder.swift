// placeholder until delivered
