"""Link tags as Dub's API shows them (issue 15)."""
