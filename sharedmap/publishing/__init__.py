"""The store and the officers' path to it: database, versions, submissions, review, accounts and sign-in."""
