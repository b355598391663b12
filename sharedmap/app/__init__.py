"""The Streamlit helpers: the only package that imports streamlit."""
