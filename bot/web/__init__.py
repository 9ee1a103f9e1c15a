"""The web surface: personal links (``links``) and the answer form served by
``statusbot serve --http``."""
