"""SSIS Hub: the data-sharing exchange of the social security information system."""
