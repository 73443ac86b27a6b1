enum _PlaceholderHavenApp {}
