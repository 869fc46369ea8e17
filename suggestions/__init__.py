"""The 金点子 web application: models, workflow, services, queues, forms and views.

Everything that knows about Flask, HTTP or the database lives here.  It may
import ``classifier``; ``classifier`` never imports this package.
"""
