import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def imports():
    import hashlib
    import io
    import marimo as mo
    import numpy as np
    import pandas as pd
    return hashlib, io, mo, np, pd


@app.cell
def mermaid(mo):
    diagram_src = "graph TD\n  A[Start] --> B{Ready?}\n  B -->|yes| C[Go]"
    mo.mermaid(diagram_src)
    return (diagram_src,)


@app.cell
def tree(mo):
    tree_data = {"a": [1, 2.5, ("t", 3)], "b": {"c": None, "d": True}, 3: "an int key"}
    mo.tree(tree_data, label="settings")
    return (tree_data,)


@app.cell
def json_view(mo):
    json_data = {"x": [1, 2, {"y": "z"}], "n": 1.25}
    mo.json(json_data)
    return (json_data,)


@app.cell
def plain_dict():
    a_dict = {"k": [1.5, 2], "s": "text", "none": None}
    a_dict
    return (a_dict,)


@app.cell
def download(mo):
    payload = bytes(range(256)) * 3
    mo.download(data=payload, filename="blob.bin", label="Get the blob")
    return (payload,)


@app.cell
def pdf(io, mo):
    pdf_bytes = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
    mo.pdf(io.BytesIO(pdf_bytes))
    return (pdf_bytes,)


@app.cell
def audio(mo):
    wav_bytes = b"RIFF" + (36).to_bytes(4, "little") + b"WAVEfmt " + bytes(range(40))
    mo.audio(src=wav_bytes)
    return (wav_bytes,)


@app.cell
def video(mo):
    mp4_bytes = b"\x00\x00\x00\x18ftypmp42" + bytes(100)
    mo.video(src=mp4_bytes, controls=True)
    return (mp4_bytes,)


@app.cell
def remote_image(mo):
    image_url = "https://example.invalid/cat.png"
    mo.image(src=image_url, alt="a cat")
    return (image_url,)


@app.cell
def lazy(mo):
    mo.lazy(mo.md("loaded only when shown"))
    return


@app.cell
def styled(pd):
    scores = pd.DataFrame({"score": [1.25, 2.5, 3.875], "team": ["red", "blue", "green"]},
                          index=pd.Index(["ann", "bob", "cy"], name="player"))
    scores.style.format({"score": "{:.1f}"})
    return (scores,)


@app.cell
def array(np):
    arr = np.arange(12, dtype=np.int32).reshape(3, 4)
    arr
    return (arr,)


@app.cell
def frame_editor(mo, pd):
    frame = pd.DataFrame({"a": [1, 2, 3, 4], "b": ["w", "x", "y", "z"]})
    editor = mo.ui.dataframe(frame)
    editor
    return editor, frame


@app.cell
def explorer(frame, mo):
    explorer_el = mo.ui.data_explorer(frame)
    explorer_el
    return (explorer_el,)


if __name__ == "__main__":
    app.run()
