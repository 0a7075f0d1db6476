"""Services: the verbs of the application. They flush; the view that calls them commits."""
