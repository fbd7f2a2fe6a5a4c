"""Web Push: the browsers a user is reminded on, and what is sent to them."""
