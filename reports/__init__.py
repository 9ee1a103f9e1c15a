"""The consolidated status document: model, change marks and renderers."""
