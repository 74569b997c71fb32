"""The baseline: a bare Flask "hello" route, served the same way as the app."""
from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello():
    return "hello"
