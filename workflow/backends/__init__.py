"""Where a mock test case runs: our emulator (`local`) or Step Functions Local (`container`).

A backend is a callable `Case -> Execution`; `workflow.testcases` judges both alike.
"""
