"""Access policy, consent and minimisation: what each agency may receive, and how."""
