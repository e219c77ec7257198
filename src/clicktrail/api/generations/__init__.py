"""Answers shaped for the generation of Dub's SDKs that calls (README, "SDK generations")."""
