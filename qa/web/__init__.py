"""The Gradio app: layout, handlers, views and feedback, over qa.assistant."""
