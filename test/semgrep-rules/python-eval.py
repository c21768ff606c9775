import ast


def bad(expr, code):
    # ruleid: python-eval
    eval(expr)
    # ruleid: python-eval
    exec(code, {})


def good(expr):
    # ok: python-eval
    eval("1 + 1")
    # ok: python-eval
    return ast.literal_eval(expr)
