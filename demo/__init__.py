"""The bundled demo: a small news site written for the project, and a runner that feeds it through the pipeline."""
