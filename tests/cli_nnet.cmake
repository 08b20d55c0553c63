# The nnet headers compile warning-free the way a generated project is
# built (-Wall -Wextra -Werror; -Wno-unknown-pragmas because g++ does not
# know #pragma HLS), in C++11 (the HLS tools' dialect) and C++17, with the
# main kernels instantiated (tests/nnet_headers_check.cpp); and with
# __HLS_SYN__ defined, as the synthesis tool reads them (lookup tables as
# local arrays).
foreach(std 11 17)
  add_test(NAME nnet_headers_warning_free_cxx${std}
           COMMAND ${CMAKE_CXX_COMPILER} -std=c++${std} -Wall -Wextra -Werror -Wno-unknown-pragmas
                   -I${PROJECT_SOURCE_DIR}/export -I${PROJECT_SOURCE_DIR}/export/ap_types
                   -c ${PROJECT_SOURCE_DIR}/tests/nnet_headers_check.cpp
                   -o ${CMAKE_CURRENT_BINARY_DIR}/nnet_headers_check_cxx${std}.o)
endforeach()
add_test(NAME nnet_headers_warning_free_synthesis
         COMMAND ${CMAKE_CXX_COMPILER} -std=c++11 -D__HLS_SYN__ -Wall -Wextra -Werror -Wno-unknown-pragmas
                 -I${PROJECT_SOURCE_DIR}/export -I${PROJECT_SOURCE_DIR}/export/ap_types
                 -c ${PROJECT_SOURCE_DIR}/tests/nnet_headers_check.cpp
                 -o ${CMAKE_CURRENT_BINARY_DIR}/nnet_headers_check_synthesis.o)
