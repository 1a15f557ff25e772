"""Engagements: defence-effectiveness models (salvo, shoot-look-shoot, raids)."""
