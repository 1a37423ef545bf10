//! Linux text renderers for the /proc views.
