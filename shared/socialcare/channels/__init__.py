"""One adapter per social network, all behind the ChannelAdapter interface in base.py."""
