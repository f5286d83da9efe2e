"""HTML pages: the staff console (/console) and the public 公开栏 (/gongkai).

Server-rendered with Jinja2 and plain CSS; no script is needed to read, and nothing is
fetched from the internet. Page handlers call the same functions as the API routes and
hand the result to a template, so a page and its JSON twin show the same data.
"""
